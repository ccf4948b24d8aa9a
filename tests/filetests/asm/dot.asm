# dot (array(float64, 1d, C), array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
block0:
  movq (%rdi), %r10
  movq 8(%rdi), %r9
  movq 0x10(%rdi), %r8
  movq 0x18(%rdi), %rbx
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rax
  movq 0x30(%rdi), %r11
  movq 0x38(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %eax
  cmpl %eax, %ecx
  jnbe    label12; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq 0x10(%rdi), %rax
  movq %rax, %r12
  addq $0x0, %r12
  seto %cl
  cmpq %r11, %r12
  setg %r11b
  orl %ecx, %r11d
  testb %r11b, %r11b
  jnz     label11; j label5
block5:
  uninit  %rcx
  xorq %rcx, %rcx
  uninit  %rdx
  xorl %edx, %edx
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  movq (%rdi), %r8
  movq 0x20(%rdi), %rdi
  jmp     label6
block6:
  cmpq %rax, %rcx
  jnl     label9; j label7
block7:
  vmovsd (%r8, %rcx, 8), %xmm1
  vmovsd (%rdi, %rcx, 8), %xmm2
  jmp     label8
block8:
  leaq 1(%rcx), %rcx
  movl $0x1, %edx
  vmulsd %xmm2, %xmm1, %xmm1
  vaddsd %xmm1, %xmm0, %xmm0
  jmp     label6
block9:
  jmp     label10
block10:
  movb %dl, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block11:
  movq %r10, 0x10(%rdx)
  movq %r9, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %rbx, 0x28(%rdx)
  movq 0x20(%rdi), %r8
  movq 0x28(%rdi), %r9
  movq 0x30(%rdi), %r10
  movq 0x38(%rdi), %rdi
  movq %r8, 0x30(%rdx)
  movq %r9, 0x38(%rdx)
  movq %r10, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  vmovsd %xmm0, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  movq %r10, 0x10(%rdx)
  movq %r9, 0x18(%rdx)
  movq %r8, 0x20(%rdx)
  movq %rbx, 0x28(%rdx)
  movq 0x20(%rdi), %rax
  movq 0x28(%rdi), %rcx
  movq 0x30(%rdi), %rsi
  movq 0x38(%rdi), %rdi
  movq %rax, 0x30(%rdx)
  movq %rcx, 0x38(%rdx)
  movq %rsi, 0x40(%rdx)
  movq %rdi, 0x48(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
